/**
 * The default audit sink: one JSON object per line, appended to a file (the
 * directory is created). Each batch is one write on a file opened for
 * appending, followed by fdatasync, so a batch is on disk before it counts as
 * written. The file is never truncated or rewritten: a new gateway (or a second
 * AuditLog) appends after what is there. If an earlier write was cut off (a
 * crash, a full disk), the next batch starts on a fresh line, so every complete
 * record stays parseable.
 */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { AuditRecord, AuditSink } from './AuditLog';

export class JsonLinesSink implements AuditSink {
  readonly path: string;
  readonly description: string;
  private handle: FileHandle | undefined;

  constructor(path: string) {
    this.path = resolve(path);
    this.description = `file ${this.path}`;
  }

  async write(records: AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    let text = '';
    for (const record of records) text += `${JSON.stringify(record)}\n`;
    try {
      if (!this.handle) {
        this.handle = await this.open();
        if (await endsMidLine(this.handle)) text = `\n${text}`;
      }
      await this.handle.appendFile(text, 'utf8');
      await this.handle.datasync();
    } catch (error) {
      // Reopen next time: the directory may be recreated or its permissions fixed meanwhile.
      await this.closeHandle();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.closeHandle();
  }

  private async open(): Promise<FileHandle> {
    await mkdir(dirname(this.path), { recursive: true });
    return open(this.path, 'a+');
  }

  private async closeHandle() {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close().catch(() => undefined);
  }
}

async function endsMidLine(handle: FileHandle): Promise<boolean> {
  const { size } = await handle.stat();
  if (size === 0) return false;
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  return last[0] !== 0x0a;
}
