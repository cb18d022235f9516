// The calls a registry schema's handlers make only for a feature: each gate names the property that turns the feature
// on, so deploy-calls.ts leaves the calls out exactly where a resource does not use it.

/**
 * Calls a handler makes only for a feature these stacks do not use. Each names the property that turns the feature
 * on, and `uses` tells whether a resource does; the proof asserts that no resource of any template does, so an
 * exclusion cannot hide a call that a template makes.
 */
type Gate = {
  readonly type: string;
  readonly actions: RegExp;
  readonly feature: string;
  readonly uses: (properties: any) => boolean;
};

/** A feature that a top-level property turns on by being there. */
function present(type: string, actions: RegExp, property: string): Gate {
  return { type, actions, feature: property, uses: (p) => p[property] !== undefined };
}

/** An ALB action that signs users in through Cognito, on a listener or a rule. */
const cognito = (type: string): Gate => ({
  type,
  actions: /^cognito-idp:/,
  feature: 'an authenticate-cognito action',
  uses: (p) => JSON.stringify(p).includes('AuthenticateCognitoConfig'),
});

export const FEATURE_GATED: readonly Gate[] = [
  present('AWS::CertificateManager::Certificate', /^acm-pca:/, 'CertificateAuthorityArn'),
  present('AWS::EC2::Instance', /^ssm:.*Association/, 'SsmAssociations'),
  present('AWS::EC2::VPCEndpoint', /^vpc-lattice:/, 'ServiceNetworkArn'),
  present('AWS::EC2::VPCEndpoint', /^vpce:AllowMultiRegion$/, 'ServiceRegion'),
  {
    type: 'AWS::EC2::FlowLog',
    actions: /^iam:CreateServiceLinkedRole$/,
    feature: 'a destination other than CloudWatch Logs with DeliverLogsPermissionArn',
    uses: (p) => p.DeliverLogsPermissionArn === undefined,
  },
  {
    type: 'AWS::ECR::Repository',
    actions: /^kms:/,
    feature: 'EncryptionConfiguration with KMS',
    uses: (p) => p.EncryptionConfiguration?.EncryptionType === 'KMS',
  },
  {
    type: 'AWS::ECS::Cluster',
    actions: /^kms:/,
    feature: 'Configuration.ManagedStorageConfiguration (KMS keys)',
    uses: (p) => p.Configuration?.ManagedStorageConfiguration !== undefined,
  },
  cognito('AWS::ElasticLoadBalancingV2::Listener'),
  cognito('AWS::ElasticLoadBalancingV2::ListenerRule'),
  {
    type: 'AWS::IAM::Role',
    actions: /^iam:DeleteRolePermissionsBoundary$/,
    feature: 'removing PermissionsBoundary (refused by the execution policy on purpose)',
    uses: (p) => p.PermissionsBoundary === undefined,
  },
  present('AWS::IAM::Role', /^iam:(Attach|Detach)RolePolicy$/, 'ManagedPolicyArns'),
  present('AWS::Lambda::Function', /^(elasticfilesystem|s3files):/, 'FileSystemConfigs'),
  present('AWS::Lambda::Function', /^kms:/, 'KmsKeyArn'),
  present('AWS::Lambda::Function', /^lambda:GetCodeSigningConfig$/, 'CodeSigningConfigArn'),
  present('AWS::Lambda::Function', /^lambda:GetLayerVersion$/, 'Layers'),
  present('AWS::Lambda::Function', /^lambda:PassCapacityProvider$/, 'CapacityProviderConfig'),
  {
    type: 'AWS::Logs::LogGroup',
    actions: /^firehose:/,
    feature: 'delivery to a Firehose stream (none exists in the project)',
    uses: (p) => JSON.stringify(p).includes('firehose'),
  },
  {
    type: 'AWS::S3::Bucket',
    actions: /^s3tables:/,
    feature: 'MetadataTableConfiguration / MetadataConfiguration',
    uses: (p) => p.MetadataTableConfiguration !== undefined || p.MetadataConfiguration !== undefined,
  },
];

/** Whether a call is left out: it serves a feature this resource does not use. A resource that uses it gets it checked. */
export function leftOut(type: string, action: string, properties: unknown): boolean {
  return FEATURE_GATED.some((g) => g.type === type && g.actions.test(action) && !g.uses(properties));
}
