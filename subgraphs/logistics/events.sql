-- Every new shipment and every change of a shipment's status is published on the channel
-- logistics_events (LISTEN/NOTIFY) when its transaction commits, whoever writes it. Installed after
-- the seed (storage.ts), so seeding publishes nothing. A shipment row is far below NOTIFY's 8000 bytes.
CREATE FUNCTION logistics.publish_shipment_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.status IS NOT DISTINCT FROM NEW.status THEN
    RETURN NULL;
  END IF;
  PERFORM pg_notify('logistics_events', json_build_object('op', TG_OP, 'table', TG_TABLE_NAME, 'row', row_to_json(NEW))::text);
  RETURN NULL;
END $$;
CREATE TRIGGER shipment_publish AFTER INSERT OR UPDATE ON logistics.shipment
  FOR EACH ROW EXECUTE FUNCTION logistics.publish_shipment_change();
