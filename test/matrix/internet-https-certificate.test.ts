import { describeVariant } from './matrix';

// What the trace must find, hop by hop, from the check to the service.
describeVariant('internet-https-certificate', {
  production: [
    'CodeBuild SmokeTest-production in the tooling account, outside any VPC: on the internet',
    'www.example.com: the record the user creates (www.example.com CNAME the load balancer), which resolves to its public addresses',
    'internet-facing load balancer in public subnets, routed 0.0.0.0/0 to the internet gateway',
    'its security group admits 0.0.0.0/0 on 443; listener HTTPS:443',
  ],
});
