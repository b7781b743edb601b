import { allow, and, chain, deny, not, or, race, rule } from 'graphql-shield';
import type { GraphQLResolveInfo } from 'graphql';
import { evaluateRule, ruleName, UNKNOWN_PARENT, type ShieldRule } from './ruleTree';

const yes = rule('yes')(() => true);
const no = rule('no')(() => 'not you');
const noError = rule('noError')(() => new Error('an error says no'));
const boom = rule('boom')(() => {
  throw new Error('database down');
});
const rowLevel = rule('rowLevel', { fragment: '... on Customer { owner }' })((parent: { owner: string }) => parent.owner === 'me' || 'not yours');

const evaluate = (ruleTree: ShieldRule, parent: object | typeof UNKNOWN_PARENT = {}, errors: unknown[] = []) =>
  evaluateRule(ruleTree, { parent, args: {}, context: { _shield: { cache: {} } }, info: {} as GraphQLResolveInfo, onRuleError: (name, error) => errors.push([name, error]) });

test.each([
  ['allow', allow, 'allow'],
  ['deny', deny, 'deny'],
  ['and of allows', and(yes, yes), 'allow'],
  ['and with a denial', and(yes, no), 'deny'],
  ['or with one allow', or(no, yes), 'allow'],
  ['or of denials', or(no, noError), 'deny'],
  ['chain stops at the first denial', chain(no, boom), 'deny'],
  ['race stops at the first allow', race(yes, boom), 'allow'],
  ['not of a denial', not(no), 'allow'],
  ['not of an allow', not(yes), 'deny'],
])('%s', async (_name, ruleTree, kind) => {
  expect((await evaluate(ruleTree)).kind).toBe(kind);
});

test('a denial carries the rule’s reason: a string or an Error message', async () => {
  expect(await evaluate(no)).toEqual({ kind: 'deny', reason: 'not you' });
  expect(await evaluate(noError)).toEqual({ kind: 'deny', reason: 'an error says no' });
  expect(await evaluate(and(yes, rule('plainFalse')(() => false)))).toEqual({ kind: 'deny', reason: 'denied by rule "plainFalse"' });
});

test('a rule that throws denies and is reported, even under not()', async () => {
  const errors: unknown[] = [];
  expect((await evaluate(boom, {}, errors)).kind).toBe('deny');
  expect((await evaluate(not(boom), {}, errors)).kind).toBe('deny');
  expect(errors).toHaveLength(2);
  expect(errors[0]).toEqual(['boom', expect.objectContaining({ message: 'database down' })]);
});

test('before execution a rule with a fragment is unknown; the combination decides what can be settled', async () => {
  expect((await evaluate(rowLevel, UNKNOWN_PARENT)).kind).toBe('unknown');
  expect((await evaluate(or(yes, rowLevel), UNKNOWN_PARENT)).kind).toBe('allow');
  expect((await evaluate(and(no, rowLevel), UNKNOWN_PARENT)).kind).toBe('deny');
  expect((await evaluate(or(no, rowLevel), UNKNOWN_PARENT)).kind).toBe('unknown');
  expect((await evaluate(not(rowLevel), UNKNOWN_PARENT)).kind).toBe('unknown');
  expect((await evaluate(or(no, rowLevel), { owner: 'me' })).kind).toBe('allow');
  expect(await evaluate(or(no, rowLevel), { owner: 'you' })).toEqual({ kind: 'deny', reason: 'not you' });
});

test('rule names read like the policy that wrote them', () => {
  expect(ruleName(or(yes, and(no, not(allow))))).toBe('or(yes, and(no, not(allow)))');
});
