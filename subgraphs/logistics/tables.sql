CREATE TABLE logistics.delivery_zone (
  id integer PRIMARY KEY,
  name text NOT NULL,
  country text NOT NULL
);
CREATE TABLE logistics.carrier (
  id integer PRIMARY KEY,
  name text NOT NULL UNIQUE
);
-- One row per shipped order; order_id refers to the sales domain's order. No foreign keys: the
-- seed writes consistent ids and the tests check them, and per-row key checks would double seed time.
CREATE TABLE logistics.shipment (
  id integer PRIMARY KEY,
  order_id integer NOT NULL,
  carrier_id integer NOT NULL,
  zone_id integer NOT NULL,
  status text NOT NULL,
  shipped_at timestamptz NOT NULL,
  promised_at timestamptz NOT NULL,
  delivered_at timestamptz,
  late boolean NOT NULL,
  -- The last change of status (dispatch, delivery, loss): what the freshness rule measures.
  updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX shipment_order_idx ON logistics.shipment (order_id);
CREATE INDEX shipment_zone_shipped_idx ON logistics.shipment (zone_id, shipped_at);
CREATE INDEX shipment_late_idx ON logistics.shipment (shipped_at, id) WHERE late;
-- The parcels on the way, oldest first: what the live generator delivers next.
CREATE INDEX shipment_in_transit_idx ON logistics.shipment (shipped_at, id) WHERE status = 'IN_TRANSIT';
