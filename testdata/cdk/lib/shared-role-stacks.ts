// Two stacks sharing a role by cross-stack reference: the first defines the pools and a role,
// CDK exports their IDs and ARN, and the second imports them to attach the role.
import { Stack, StackProps } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { cognitoConditions } from './trust';

export class SharedPoolStack extends Stack {
  readonly appPool: cognito.CfnIdentityPool;
  readonly partnerPool: cognito.CfnIdentityPool;
  readonly sharedRole: iam.Role;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.appPool = new cognito.CfnIdentityPool(this, 'AppPool', { allowUnauthenticatedIdentities: false });
    this.partnerPool = new cognito.CfnIdentityPool(this, 'PartnerPool', { allowUnauthenticatedIdentities: false });
    this.sharedRole = new iam.Role(this, 'SharedAuthRole', {
      assumedBy: new iam.WebIdentityPrincipal(
        'cognito-identity.amazonaws.com',
        cognitoConditions(this.appPool.ref, 'authenticated'),
      ),
    });
  }
}

interface ConsumerProps extends StackProps {
  readonly shared: SharedPoolStack;
}

export class ConsumerStack extends Stack {
  constructor(scope: Construct, id: string, props: ConsumerProps) {
    super(scope, id, props);
    const { appPool, partnerPool, sharedRole } = props.shared;
    // Correct: the shared role trusts the pool it is attached to.
    new cognito.CfnIdentityPoolRoleAttachment(this, 'AppPoolRoles', {
      identityPoolId: appPool.ref,
      roles: { authenticated: sharedRole.roleArn },
    });
    // Broken: the same role handed out by another pool, whose users it does not trust (CT107).
    new cognito.CfnIdentityPoolRoleAttachment(this, 'PartnerPoolRoles', {
      identityPoolId: partnerPool.ref,
      roles: { authenticated: sharedRole.roleArn },
    });
  }
}
