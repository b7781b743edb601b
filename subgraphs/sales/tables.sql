CREATE TABLE sales.orders (
  id integer PRIMARY KEY,
  customer_id integer NOT NULL,
  placed_at timestamptz NOT NULL,
  status text NOT NULL,
  total numeric(12, 2) NOT NULL,
  currency text NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX orders_customer_idx ON sales.orders (customer_id, placed_at DESC, id DESC);
CREATE INDEX orders_placed_idx ON sales.orders (placed_at, id);
CREATE INDEX orders_status_idx ON sales.orders (status, placed_at);
CREATE INDEX orders_total_idx ON sales.orders (total, id);

CREATE TABLE sales.order_lines (
  order_id integer NOT NULL REFERENCES sales.orders (id),
  line_no integer NOT NULL,
  product_id integer NOT NULL,
  -- The product's name as sold, taken from the products domain when the line is written (OrderLine.product @provides it).
  product_name text NOT NULL,
  quantity integer NOT NULL CHECK (quantity > 0),
  unit_price numeric(12, 2) NOT NULL,
  PRIMARY KEY (order_id, line_no)
);
CREATE INDEX order_lines_product_idx ON sales.order_lines (product_id);
