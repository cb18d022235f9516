// The pipeline's sequential actions from the source to the first environment's post-deploy check, read from the
// synthesized pipeline template: how many are CodeBuild actions, and which install anything before they work.
import type { CfnTemplate } from './rollout';

/** One action on the critical path. */
export interface PathAction {
  readonly stage: string;
  readonly name: string;
  readonly provider: string;
  /** For CodeBuild actions: whether the build installs packages (npm ci or install, npx of a package). */
  readonly installs: boolean;
}

/**
 * The per-action overheads the model relies on, each with its source; the report quotes them, it invents no
 * absolute time.
 */
export const ACTION_OVERHEADS = [
  'a CodeBuild action spends 17–60 s provisioning before its first command (aws/aws-cdk#14158, #23016)',
  '`npm ci` of this project installs about 400 MB of node_modules before a step can start (npm run bench measures it)',
];

interface Action {
  Name: string;
  RunOrder?: number;
  ActionTypeId: { Provider: string };
  Configuration?: { ProjectName?: { Ref?: string } };
}

interface TemplateResource {
  Type: string;
  Properties: { Stages: Array<{ Name: string; Actions: Action[] }>; Source?: { BuildSpec?: string } };
}

/** The actions in order, up to and including the first action named SmokeTest-*. */
export function criticalPath(pipelineTemplate: CfnTemplate): PathAction[] {
  const resources = (pipelineTemplate.Resources ?? {}) as Record<string, TemplateResource>;
  const pipeline = Object.values(resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline');
  if (!pipeline) return [];
  const path: PathAction[] = [];
  for (const stage of pipeline.Properties.Stages) {
    const smoke = stage.Actions.find((a) => a.Name.startsWith('SmokeTest-'));
    const orders = [...new Set(stage.Actions.map((a) => a.RunOrder ?? 1))].sort((a, b) => a - b);
    for (const order of orders.filter((o) => !smoke || o <= (smoke.RunOrder ?? 1))) {
      const parallel = stage.Actions.filter((a) => (a.RunOrder ?? 1) === order);
      // Of actions side by side, the path waits for one: a CodeBuild one if any, as they take longest.
      const action = parallel.find((a) => a.ActionTypeId.Provider === 'CodeBuild') ?? parallel[0];
      const project = action.Configuration?.ProjectName?.Ref;
      const buildSpec = project ? String(resources[project]?.Properties?.Source?.BuildSpec ?? '') : '';
      path.push({
        stage: stage.Name,
        name: action.Name,
        provider: action.ActionTypeId.Provider,
        installs: /npm (ci|install)|npx /.test(buildSpec),
      });
    }
    if (smoke) break;
  }
  return path;
}
