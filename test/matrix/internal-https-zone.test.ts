import { describeVariant } from './matrix';
import { REGISTRY_ACCOUNT } from '../helpers/constants';

// What the trace must find, hop by hop, from the check to the service.
describeVariant('internal-https-zone', {
  production: [
    `CodeBuild SmokeTest-production as role hello-privatelink-post-deploy-check invokes hello-privatelink-production-verifier in ${REGISTRY_ACCOUNT}, whose policy admits that role`,
    "the verifier runs in subnets 10.20.0.0/22, 10.20.4.0/22 of the load balancer's VPC",
    "its security group sends to the load balancer's security group on 443",
    'which admits 10.20.0.0/20 on 443, holding those subnets; listener HTTPS:443',
    'app.example.com: alias A record in zone Z0123456789ABCDEFGHIJ to the load balancer, which resolves to its private addresses, inside the VPC',
  ],
});
