import { financeSeedData } from './seed';
for (const scale of [0.01, 1]) {
  const t0 = Date.now();
  const { payments, transactions } = financeSeedData({ seed: 42, scale });
  const ms = Date.now() - t0;
  const flagged = transactions.filter((t) => t.reasons.length);
  const injected = transactions.filter((t) => t.injected);
  const missed = injected.filter((t) => !t.reasons.length);
  const byCode: Record<string, number> = {};
  for (const t of flagged) for (const r of t.reasons) byCode[`${t.type}:${r.split(':')[0]}`] = (byCode[`${t.type}:${r.split(':')[0]}`] ?? 0) + 1;
  const byType: Record<string, number> = {};
  for (const t of transactions) byType[t.type] = (byType[t.type] ?? 0) + 1;
  const st: Record<string, number> = {};
  for (const p of payments) st[p.status] = (st[p.status] ?? 0) + 1;
  console.log({ scale, ms, payments: payments.length, st, transactions: transactions.length, byType, flagged: flagged.length, share: flagged.length / transactions.length, injected: injected.length, injectedCustomers: new Set(injected.map(t=>t.customerId)).size, missed: missed.length, byCode, last: transactions.at(-1)!.occurredAt > Date.UTC(2026,9,31) });
}
