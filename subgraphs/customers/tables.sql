CREATE TABLE customers.customer (
  id integer PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL UNIQUE,
  phone text,
  segment text NOT NULL,
  country text NOT NULL,
  city text NOT NULL,
  signed_up_at timestamptz NOT NULL,
  account_manager text,
  updated_at timestamptz NOT NULL
);
CREATE INDEX customer_segment_idx ON customers.customer (segment, id);
CREATE INDEX customer_country_idx ON customers.customer (country, id);
