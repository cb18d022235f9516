import { describeVariant } from './matrix';
import { STAGING_ACCOUNT } from '../helpers/constants';

// What the trace must find, hop by hop, from the check to the service.
describeVariant('several-environments', {
  staging: [
    `CodeBuild SmokeTest-staging as role hello-privatelink-post-deploy-check invokes hello-privatelink-staging-verifier in ${STAGING_ACCOUNT}, whose policy admits that role`,
    "the verifier runs in subnets 10.0.0.0/18, 10.0.64.0/18 of the load balancer's VPC",
    "its security group sends to the load balancer's security group on 80",
    'which admits 10.0.0.0/16 on 80, holding those subnets; listener HTTP:80',
    "the load balancer's own DNS name resolves to its private addresses, inside the VPC",
  ],
  production: [
    'CodeBuild SmokeTest-production in the tooling account, outside any VPC: on the internet',
    'www.example.com: the record the user creates (www.example.com CNAME the load balancer), which resolves to its public addresses',
    'internet-facing load balancer in public subnets, routed 0.0.0.0/0 to the internet gateway',
    'its security group admits 0.0.0.0/0 on 443; listener HTTPS:443',
  ],
});
