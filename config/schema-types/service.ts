// Generated from config/service.schema.json by `npx tsx config/generate-types.ts`; do not edit. The configuration
// as written, before defaults: a field the schema does not require is optional. config/types.ts builds the types
// the app reads on these.
import type { RetentionDays } from './deploy';

/**
 * with canary: percent (an integer from 1 to 99, default 20) of production traffic goes to the new version for
 * bakeMinutes (an integer from 1 to 1440, default 5), then all of it
 */
export interface Canary {
  /** an integer from 1 to 99: the share of production traffic the new version takes first */
  readonly percent: number;
  /** an integer from 1 to 1440: minutes the canary share is judged before the rest moves */
  readonly bakeMinutes: number;
}

/**
 * with linear: production traffic moves in steps of stepPercent (an integer from 3 to 50, default 25),
 * intervalMinutes (an integer from 1 to 1440, default 3) apart
 */
export interface Linear {
  /** an integer from 3 to 50: the share of production traffic each step moves */
  readonly stepPercent: number;
  /** an integer from 1 to 1440: minutes between steps */
  readonly intervalMinutes: number;
}

export interface Service {
  /** Fargate CPU units: one of 256, 512, 1024, 2048, 4096, 8192, 16384 */
  readonly cpu: 256 | 512 | 1024 | 2048 | 4096 | 8192 | 16384;
  /** Fargate memory in MiB that fits the cpu value */
  readonly memoryMiB: number;
  /** an integer from 1 to 100: tasks that run at all times */
  readonly desiredCount: number;
  /** an integer from desiredCount to 100: turns on CPU auto scaling up to this many tasks */
  readonly maxCount?: number;
  /** ARM64 (Graviton, 20% cheaper) or X86_64 */
  readonly cpuArchitecture?: 'ARM64' | 'X86_64';
  /**
   * blue-green (a full new set of tasks, checked through a test listener before any user reaches it, then all
   * traffic at once), canary (the same, then a share of traffic for a while before the rest), linear (the same,
   * then traffic in equal steps) or rolling (tasks replaced in place)
   */
  readonly deploymentStrategy?: 'blue-green' | 'canary' | 'linear' | 'rolling';
  /**
   * an integer from 0 to 1440: with blue-green, canary or linear, minutes the old tasks stay ready for an instant
   * rollback after production traffic moves
   */
  readonly bakeTimeMinutes?: number;
  readonly canary?: Canary;
  readonly linear?: Linear;
  readonly logRetentionDays?: RetentionDays;
}
