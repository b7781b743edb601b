/** The error a bad configuration raises: the source and every problem, each naming its key path. */
import type { z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly source: string, readonly problems: string[]) {
    super(`Invalid configuration (${source}):\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

export function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length ? issue.path.join('.') : '(root)';
  if (issue.code === 'unrecognized_keys') {
    const prefix = issue.path.length ? `${path}.` : '';
    return `${issue.keys.map((key) => `${prefix}${key}`).join(', ')}: unknown key${issue.keys.length > 1 ? 's' : ''}`;
  }
  return `${path}: ${issue.message}`;
}
