// A pool in the parent stack whose roles live in a nested stack: CDK passes the pool's ID down
// as a parameter of the nested stack and the roles' ARNs up as its outputs.
import { NestedStack, NestedStackProps, Stack, StackProps } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { cognitoConditions } from './trust';

interface RolesProps extends NestedStackProps {
  readonly poolId: string;
}

class PoolRoles extends NestedStack {
  readonly authRole: iam.Role;
  readonly guestRole: iam.Role;

  constructor(scope: Construct, id: string, props: RolesProps) {
    super(scope, id, props);
    this.authRole = new iam.Role(this, 'NestedAuthRole', {
      assumedBy: new iam.WebIdentityPrincipal(
        'cognito-identity.amazonaws.com',
        cognitoConditions(props.poolId, 'authenticated'),
      ),
    });
    // Copied from the authenticated role and not adapted: guests are refused (CT109).
    this.guestRole = new iam.Role(this, 'NestedGuestRole', {
      assumedBy: new iam.WebIdentityPrincipal(
        'cognito-identity.amazonaws.com',
        cognitoConditions(props.poolId, 'authenticated'),
      ),
    });
  }
}

export class NestedParentStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const pool = new cognito.CfnIdentityPool(this, 'ParentPool', { allowUnauthenticatedIdentities: true });
    const roles = new PoolRoles(this, 'Roles', { poolId: pool.ref });
    new cognito.CfnIdentityPoolRoleAttachment(this, 'ParentPoolRoles', {
      identityPoolId: pool.ref,
      roles: { authenticated: roles.authRole.roleArn, unauthenticated: roles.guestRole.roleArn },
    });
  }
}
