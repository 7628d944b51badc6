# Conditional expressions are checked in both branches, as CloudFormation's Fn::If: the
# attachment follows `var.staging`, but the role's aud tests another variable, so with
# `staging = true` and `shared_role = false` it names the other pool; and the amr admits guests
# in one branch of a condition the pool never allows.

variable "shared_role" {
  default = true
}

variable "staging" {
  type    = bool
  default = false
}

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = false
}

resource "aws_cognito_identity_pool" "staging" {
  identity_pool_name               = "photos-staging"
  allow_unauthenticated_identities = false
}

resource "aws_iam_role" "authenticated" {
  name = "photos-authenticated"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "cognito-identity.amazonaws.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "cognito-identity.amazonaws.com:aud" = var.shared_role ? aws_cognito_identity_pool.main.id : aws_cognito_identity_pool.staging.id # expect: CT107 related=48 related=15 related=20
        }
        "ForAnyValue:StringLike" = {
          "cognito-identity.amazonaws.com:amr" = var.shared_role ? "authenticated" : "unauthenticated" # expect: CT109 related=48
        }
      }
    }]
  })
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = var.staging ? aws_cognito_identity_pool.staging.id : aws_cognito_identity_pool.main.id
  roles = {
    authenticated = aws_iam_role.authenticated.arn
  }
}
