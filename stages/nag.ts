import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import {
  Aspects,
  CfnResource,
  Stage,
  Validations,
  type IPolicyValidationContext,
  type IPolicyValidationPlugin,
  type PolicyValidationPluginReport,
} from 'aws-cdk-lib';
import { AwsSolutionsChecks, WriteNagSuppressionsToCloudFormationAspect } from 'cdk-nag';
import { version as CDK_NAG_VERSION } from 'cdk-nag/package.json';
import type { IConstruct } from 'constructs';
import { synthCached } from './synth-cache';

/**
 * Runs cdk-nag's AwsSolutions pack on a Stage's stacks. Every Stage registers it, so a Stage is checked
 * wherever it is used: in the pipeline app, deployed on its own, or in a test.
 */
export function checkStageWithCdkNag(stage: Stage): void {
  Validations.of(stage).addPlugins(sharedChecks(stage));
  // Acknowledgements also go into each resource's template Metadata (cdk_nag), where the report counts them.
  // An aspect, so it must sit on every Stage: aspects do not cross Stage boundaries.
  Aspects.of(stage).add(new WriteNagSuppressionsToCloudFormationAspect());
}

/**
 * One AwsSolutions pack per app, shared by all its Stages. CDK hands every plugin the whole app to walk and
 * runs each distinct plugin once, so one instance checks everything once instead of once per Stage.
 */
const checksByApp = new WeakMap<IConstruct, KeptChecks>();
function sharedChecks(stage: Stage): KeptChecks {
  const root = stage.node.root;
  let checks = checksByApp.get(root);
  if (!checks) {
    checks = new KeptChecks(new AwsSolutionsChecks(root));
    checksByApp.set(root, checks);
  }
  return checks;
}

/**
 * The AwsSolutions pack, its findings kept between synths (stages/synth-cache.ts). The pack walks the whole tree and
 * judges each CfnResource by its resolved properties, which the templates hold, and by the acknowledgements on it
 * and its scopes; its findings name resources by construct path. So the same cdk-nag version over the same templates,
 * resource paths and acknowledgements finds the same things, and a synth that changed none of them skips the walk,
 * a tenth of its time.
 */
class KeptChecks implements IPolicyValidationPlugin {
  constructor(private readonly checks: AwsSolutionsChecks) {}

  get name(): string {
    return this.checks.name;
  }

  get version(): string | undefined {
    return this.checks.version;
  }

  get ruleIds(): string[] | undefined {
    return this.checks.ruleIds;
  }

  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const root = context.appConstruct;
    const constructs = root.node.findAll();
    const resources = constructs.filter((c) => CfnResource.isCfnResource(c)).map((c) => c.node.path);
    const acknowledgements = constructs.flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .map((m) => [c.node.path, m.data]),
    );
    // Every template of the app, nested stage assemblies included: the pack walks stages this plugin was not given.
    const outdir = Stage.isStage(root) ? root.outdir : path.dirname(context.templatePaths[0]);
    const templates = (readdirSync(outdir, { recursive: true, encoding: 'utf8' }) as string[])
      .filter((file) => file.endsWith('.template.json'))
      .sort()
      .map((file) => readFileSync(path.join(outdir, file), 'utf8'));
    const key = [CDK_NAG_VERSION, JSON.stringify(resources), JSON.stringify(acknowledgements), ...templates];
    return synthCached('cdk-nag', key, () => this.checks.validate(context));
  }
}

/** One cdk-nag acknowledgement: the rule (or `Rule[Finding]`) and why it does not apply here. */
export interface NagAcknowledgement {
  readonly id: string;
  readonly reason: string;
}

/** Acknowledges findings on one construct and its children; every entry must say why. */
export function acknowledge(scope: IConstruct, ...acks: NagAcknowledgement[]): void {
  for (const ack of acks) Validations.of(scope).acknowledge(ack);
}
