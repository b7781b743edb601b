-- Payments for orders: one per order that was paid, authorized or attempted (order ids are sales' ids).
CREATE TABLE finance.payments (
  id integer PRIMARY KEY,
  order_id integer NOT NULL UNIQUE,
  customer_id integer NOT NULL,
  amount numeric(12, 2) NOT NULL CHECK (amount >= 0),
  currency text NOT NULL,
  method text NOT NULL,
  status text NOT NULL,
  paid_at timestamptz NOT NULL,
  refunded_at timestamptz
);

-- Money moving on customers' accounts. The anomaly columns are written with the row:
-- anomaly_score is the amount's z-score against the customer's other transactions of the type,
-- anomaly_reasons holds one line per rule that fired (empty when none), flagged = any rule fired,
-- rule_flagged = a rule other than the z-score one fired.
CREATE TABLE finance.transactions (
  id integer PRIMARY KEY,
  customer_id integer NOT NULL,
  type text NOT NULL,
  amount numeric(12, 2) NOT NULL CHECK (amount > 0),
  currency text NOT NULL,
  occurred_at timestamptz NOT NULL,
  channel text,
  description text,
  counterparty text,
  order_id integer,
  anomaly_score double precision NOT NULL DEFAULT 0,
  anomaly_reasons text NOT NULL DEFAULT '',
  flagged boolean NOT NULL DEFAULT false,
  rule_flagged boolean NOT NULL DEFAULT false
);
-- One index per way in: a customer's history, time ranges, types, amounts and the anomaly views.
CREATE INDEX transactions_customer_idx ON finance.transactions (customer_id, occurred_at, id);
CREATE INDEX transactions_occurred_idx ON finance.transactions (occurred_at, id);
CREATE INDEX transactions_type_idx ON finance.transactions (type, occurred_at, id);
CREATE INDEX transactions_amount_idx ON finance.transactions (amount, id);
CREATE INDEX transactions_flagged_idx ON finance.transactions (occurred_at, id) WHERE flagged;
CREATE INDEX transactions_rule_flagged_idx ON finance.transactions (occurred_at, id) WHERE rule_flagged;
CREATE INDEX transactions_score_idx ON finance.transactions (anomaly_score) WHERE anomaly_score >= 1;

-- Ground truth for the fraud model: the transactions the seed (or the live generator) planted as fraud,
-- with the pattern. No resolver reads this table: the API never exposes a label, only the model's score.
CREATE TABLE finance.fraud_labels (
  transaction_id integer PRIMARY KEY,
  pattern text NOT NULL
);
