// The conditions of the canonical trust policy of an identity pool role.
export function cognitoConditions(poolId: string, amr: 'authenticated' | 'unauthenticated') {
  return {
    StringEquals: { 'cognito-identity.amazonaws.com:aud': poolId },
    'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': amr },
  };
}
