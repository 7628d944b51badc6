// Broken setups: each mistake is one cognitrust finding.
import { Stack, StackProps } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IdentityPool } from 'aws-cdk-lib/aws-cognito-identitypool';
import { Construct } from 'constructs';
import { cognitoConditions } from './trust';

export class BrokenStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const pool = new cognito.CfnIdentityPool(this, 'Pool', { allowUnauthenticatedIdentities: true });
    const authRole = new iam.Role(this, 'AuthRole', {
      assumedBy: new iam.WebIdentityPrincipal(
        'cognito-identity.amazonaws.com',
        cognitoConditions(pool.ref, 'authenticated'),
      ),
    });
    // FederatedPrincipal without its third argument trusts with sts:AssumeRole: Cognito cannot
    // assume this role (CT103).
    const guestRole = new iam.Role(this, 'GuestRole', {
      assumedBy: new iam.FederatedPrincipal(
        'cognito-identity.amazonaws.com',
        cognitoConditions(pool.ref, 'unauthenticated'),
      ),
    });
    new cognito.CfnIdentityPoolRoleAttachment(this, 'PoolRoles', {
      identityPoolId: pool.ref,
      roles: { authenticated: authRole.roleArn, unauthenticated: guestRole.roleArn },
    });

    // The L2 pool already attaches its default roles; a second attachment for it fails to
    // deploy ("... already exists in stack", CT203).
    const l2Pool = new IdentityPool(this, 'L2Pool', { allowUnauthenticatedIdentities: true });
    new cognito.CfnIdentityPoolRoleAttachment(this, 'ExtraRoles', {
      identityPoolId: l2Pool.identityPoolId,
      roles: { authenticated: l2Pool.authenticatedRole.roleArn },
    });
  }
}
