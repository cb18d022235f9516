// Generated from config/pipeline.schema.json by `npx tsx config/generate-types.ts`; do not edit. The configuration
// as written, before defaults: a field the schema does not require is optional. config/types.ts builds the types
// the app reads on these.

export interface Pipeline {
  readonly source: PipelineSource;
  /** the exact CDK CLI version the pipeline installs, such as 2.1148.1 */
  readonly cdkCliVersion?: string;
  /** the lowest scan finding severity that fails the image publish: CRITICAL, HIGH, MEDIUM, LOW or INFORMATIONAL */
  readonly scanSeverityThreshold?: 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL';
  /** an SNS topic ARN in the tooling account that is told when an approval waits */
  readonly approvalTopicArn?: string;
  /** an integer from 30 to 1800: the smoke test's overall budget */
  readonly smokeTestTimeoutSeconds?: number;
}

/** where the pipeline takes the code from */
export type PipelineSource =
  | {
      /**
       * s3 (a bucket the deploy workflow uploads each commit to) or codeconnections (GitHub through an AWS
       * CodeConnections connection)
       */
      readonly type: 's3';
      /** a CodeConnections connection ARN */
      readonly connectionArn?: string;
      /** owner/name of the GitHub repository */
      readonly repository?: string;
      /** the branch whose pushes start the pipeline */
      readonly branch?: string;
    }
  | {
      /**
       * s3 (a bucket the deploy workflow uploads each commit to) or codeconnections (GitHub through an AWS
       * CodeConnections connection)
       */
      readonly type: 'codeconnections';
      /** a CodeConnections connection ARN */
      readonly connectionArn: string;
      /** owner/name of the GitHub repository */
      readonly repository: string;
      /** the branch whose pushes start the pipeline */
      readonly branch: string;
    };
