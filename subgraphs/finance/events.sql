-- Every change to a transaction is published on the channel finance_events (LISTEN/NOTIFY) when its
-- transaction commits, whoever writes it: a mutation, the live generator, a script. Installed after the
-- seed (storage.ts), so seeding publishes nothing. The payload carries the row (NOTIFY's limit is
-- 8000 bytes; a row too large for it is sent as its id, and the subgraph reads it).
CREATE FUNCTION finance.publish_transaction_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  body text := row_to_json(NEW)::text;
BEGIN
  IF octet_length(body) > 7000 THEN
    body := json_build_object('id', NEW.id)::text;
  END IF;
  PERFORM pg_notify('finance_events', json_build_object('op', TG_OP, 'table', TG_TABLE_NAME, 'row', body::json)::text);
  RETURN NULL;
END $$;
CREATE TRIGGER transactions_publish AFTER INSERT OR UPDATE ON finance.transactions
  FOR EACH ROW EXECUTE FUNCTION finance.publish_transaction_change();
