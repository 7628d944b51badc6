#!/usr/bin/env node
// The app whose synthesized cdk.out the cognitrust tests scan: each stack builds identity pools
// the way CDK users do, some correctly and some with the mistakes cognitrust must find.
import { App } from 'aws-cdk-lib';
import { CorrectStack } from '../lib/correct-stack';
import { BrokenStack } from '../lib/broken-stack';
import { NestedParentStack } from '../lib/nested-stack';
import { SharedPoolStack, ConsumerStack } from '../lib/shared-role-stacks';

const app = new App();
// A fixed account and region keep the output the same on every machine.
const env = { account: '111111111111', region: 'us-east-1' };

new CorrectStack(app, 'CorrectStack', { env });
new BrokenStack(app, 'BrokenStack', { env });
new NestedParentStack(app, 'NestedParentStack', { env });
const shared = new SharedPoolStack(app, 'SharedPoolStack', { env });
new ConsumerStack(app, 'ConsumerStack', { env, shared });
