// Correct setups: no finding expected.
import { Stack, StackProps } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IdentityPool } from 'aws-cdk-lib/aws-cognito-identitypool';
import { Construct } from 'constructs';
import { cognitoConditions } from './trust';

export class CorrectStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // The L2 construct: it creates both roles with the right trust and one attachment.
    new IdentityPool(this, 'L2Pool', { allowUnauthenticatedIdentities: true });

    // Hand-made roles on an L1 pool, trusting it through WebIdentityPrincipal, whose action is
    // sts:AssumeRoleWithWebIdentity.
    const pool = new cognito.CfnIdentityPool(this, 'HandPool', { allowUnauthenticatedIdentities: true });
    const authRole = new iam.Role(this, 'HandAuthRole', {
      assumedBy: new iam.WebIdentityPrincipal(
        'cognito-identity.amazonaws.com',
        cognitoConditions(pool.ref, 'authenticated'),
      ),
    });
    const guestRole = new iam.Role(this, 'HandGuestRole', {
      // FederatedPrincipal is right too when it is given the action.
      assumedBy: new iam.FederatedPrincipal(
        'cognito-identity.amazonaws.com',
        cognitoConditions(pool.ref, 'unauthenticated'),
        'sts:AssumeRoleWithWebIdentity',
      ),
    });
    new cognito.CfnIdentityPoolRoleAttachment(this, 'HandPoolRoles', {
      identityPoolId: pool.ref,
      roles: { authenticated: authRole.roleArn, unauthenticated: guestRole.roleArn },
    });

    // A deliberate exception, suppressed where it is made: CloudWatch RUM's web client takes its
    // guest role through the basic flow, which cognitrust reports (CT209) unless told why.
    const rumPool = new cognito.CfnIdentityPool(this, 'RumPool', {
      allowUnauthenticatedIdentities: true,
      allowClassicFlow: true,
    });
    rumPool.addMetadata('cognitrust', {
      ignore: [{ rule: 'CT209', reason: "CloudWatch RUM's web client uses the basic flow" }],
    });
    const rumRole = new iam.Role(this, 'RumGuestRole', {
      assumedBy: new iam.WebIdentityPrincipal(
        'cognito-identity.amazonaws.com',
        cognitoConditions(rumPool.ref, 'unauthenticated'),
      ),
    });
    new cognito.CfnIdentityPoolRoleAttachment(this, 'RumPoolRoles', {
      identityPoolId: rumPool.ref,
      roles: { unauthenticated: rumRole.roleArn },
    });
  }
}
