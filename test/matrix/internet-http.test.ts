import { describeVariant } from './matrix';

// What the trace must find, hop by hop, from the check to the service.
describeVariant('internet-http', {
  production: [
    'CodeBuild SmokeTest-production in the tooling account, outside any VPC: on the internet',
    "the load balancer's own DNS name resolves to its public addresses",
    'internet-facing load balancer in public subnets, routed 0.0.0.0/0 to the internet gateway',
    'its security group admits 0.0.0.0/0 on 80; listener HTTP:80',
  ],
});
