CREATE TABLE marketing.campaign (
  id integer PRIMARY KEY,
  name text NOT NULL,
  channel text NOT NULL,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  budget numeric(12, 2) NOT NULL,
  CHECK (ends_at > starts_at)
);
-- One row per attributed order; order_id and customer_id refer to other domains. No foreign keys:
-- the seed writes consistent ids and the tests check them, and per-row key checks slow the seed down.
CREATE TABLE marketing.conversion (
  id integer PRIMARY KEY,
  campaign_id integer NOT NULL,
  order_id integer NOT NULL,
  customer_id integer NOT NULL,
  converted_at timestamptz NOT NULL,
  touchpoints integer NOT NULL,
  attribution_model text NOT NULL
);
CREATE UNIQUE INDEX conversion_order_idx ON marketing.conversion (order_id);
CREATE INDEX conversion_campaign_idx ON marketing.conversion (campaign_id, converted_at, id);
