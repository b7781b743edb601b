import { OwnerContactRule } from './OwnerContactRule';
import { lintWith, validDescriptor } from '../testing';

test('an owner with a team and a contact passes', () => {
  expect(lintWith(OwnerContactRule)).toEqual([]);
  expect(lintWith(OwnerContactRule, { descriptor: validDescriptor({ owner: { team: 'Shop Team', contact: 'https://chat.example.com/shop' } }) })).toEqual([]);
});

test('a missing owner is an error that shows what to write', () => {
  const descriptor = validDescriptor();
  delete descriptor.owner;
  const [issue] = lintWith(OwnerContactRule, { descriptor });
  expect(issue).toMatchObject({ rule: 'OwnerContact', severity: 'error' });
  expect(issue.message).toMatch(/^owner: missing; name the owning team and a contact/);
});

test('a missing contact or an unusable one is an error naming the key', () => {
  expect(lintWith(OwnerContactRule, { descriptor: validDescriptor({ owner: { team: 'Shop Team' } }) }).map((i) => i.message)).toEqual([
    'owner.contact: required (expected string)',
  ]);
  expect(lintWith(OwnerContactRule, { descriptor: validDescriptor({ owner: { team: ' ', contact: 'ask Bob' } }) }).map((i) => i.message)).toEqual([
    'owner.team: must not be empty: the owning team',
    'owner.contact: expected an email address or an https URL where the team answers, got "ask Bob"',
  ]);
});

test('an unparsable descriptor is left to DescriptorValidRule', () => {
  expect(lintWith(OwnerContactRule, { descriptor: null })).toEqual([]);
});
