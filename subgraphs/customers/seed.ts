/** Seeds customers from the shared scenario, with names, contacts and account managers of their own. */
import type { Db } from '../lib/db';
import { progress } from '../lib/progress';
import { randomFor } from '../lib/random';
import { countsFor, customerFacts, recentChangeAt, ZONES } from '../lib/scenario';
import { insertRows, toIso } from '../lib/sql';
import type { SeedOptions } from '../lib/subgraph';

const FIRST_NAMES = ['Anna', 'Ben', 'Clara', 'David', 'Elena', 'Felix', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Katja', 'Luca', 'Maria', 'Noah', 'Olivia', 'Paul', 'Quentin', 'Rosa', 'Sami', 'Tara', 'Umut', 'Vera', 'Wim', 'Yara', 'Zoe'];
const LAST_NAMES = ['Schmidt', 'Martin', 'Garcia', 'Rossi', 'de Vries', 'Peeters', 'Novak', 'Huber', 'Dubois', 'Lopez', 'Bianchi', 'Jansen', 'Kowalski', 'Weber', 'Moreau', 'Fernandez', 'Romano', 'Bakker', 'Meyer', 'Laurent'];
const COMPANY_WORDS = ['Alpine', 'Baltic', 'Cobalt', 'Delta', 'Ember', 'Fjord', 'Granite', 'Harbor', 'Iris', 'Juniper', 'Keystone', 'Lumen'];
const COMPANY_KINDS = ['Logistics', 'Foods', 'Systems', 'Retail', 'Studios', 'Works', 'Health', 'Energy'];
export const ACCOUNT_MANAGERS = Array.from({ length: 12 }, (_, i) => `am${String(i + 1).padStart(2, '0')}@meshgate.example`);

export async function seed(db: Db, options: SeedOptions) {
  const { customers } = countsFor(options.scale);
  const bar = progress('customers: customers', customers, options.log);
  function* rows() {
    for (let id = 1; id <= customers; id++) {
      const facts = customerFacts(options, id);
      const random = randomFor(options.seed, 'customer-profile', id);
      const [city, country] = ZONES[facts.zoneId - 1];
      const business = facts.segment !== 'CONSUMER';
      const first = random.pick(FIRST_NAMES);
      const last = random.pick(LAST_NAMES);
      const name = business ? `${random.pick(COMPANY_WORDS)} ${random.pick(COMPANY_KINDS)} ${id}` : `${first} ${last}`;
      const local = business ? `billing.${id}` : `${first}.${last.replace(/\s+/g, '')}.${id}`.toLowerCase();
      yield {
        id,
        name,
        email: `${local}@customers.example`,
        phone: random.chance(0.8) ? `+${random.int(30, 49)} ${random.int(100, 999)} ${random.int(1000000, 9999999)}` : null,
        segment: facts.segment,
        country,
        city,
        signed_up_at: toIso(facts.signedUpAt),
        account_manager: business ? ACCOUNT_MANAGERS[id % ACCOUNT_MANAGERS.length] : null,
        // Contacts and addresses change over time: the last change falls anywhere since sign-up, recent ones most often.
        updated_at: toIso(recentChangeAt(random, facts.signedUpAt, options.now)),
      };
    }
  }
  await insertRows(
    db,
    'customers.customer',
    { id: 'int', name: 'text', email: 'text', phone: 'text', segment: 'text', country: 'text', city: 'text', signed_up_at: 'timestamptz', account_manager: 'text', updated_at: 'timestamptz' },
    rows(),
    { progress: bar },
  );
  bar.finish();
}
