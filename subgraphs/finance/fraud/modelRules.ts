/**
 * The descriptor's model quality rules applied to figures a training run measured, so a retrained model
 * that would fail `npm run quality` is refused before it is written. Pure; never reads the database.
 */
import type { DataProductDescriptor } from '../../lib/descriptor';

export function modelRuleFailures(descriptor: DataProductDescriptor, model: string, figures: { precision: number; recall: number }): string[] {
  return descriptor.quality.rules.flatMap((rule) =>
    rule.type === 'model' && rule.model === model && figures[rule.metric] < rule.min ? [`${rule.name}: ${rule.metric} ${figures[rule.metric]} is below ${rule.min}`] : [],
  );
}
