# Sources and their plan, pass: plan.json is `terraform show -json` of a later apply of this
# module (it adds tags to the pool); neither the sources nor the plan have a finding.

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = true

  tags = {
    team = "photos"
  }
}

data "aws_iam_policy_document" "authenticated_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = ["cognito-identity.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "cognito-identity.amazonaws.com:aud"
      values   = [aws_cognito_identity_pool.main.id]
    }

    condition {
      test     = "ForAnyValue:StringLike"
      variable = "cognito-identity.amazonaws.com:amr"
      values   = ["authenticated"]
    }
  }
}

resource "aws_iam_role" "authenticated" {
  name               = "photos-authenticated"
  assume_role_policy = data.aws_iam_policy_document.authenticated_trust.json
}

module "guest" {
  source           = "./modules/guest"
  identity_pool_id = aws_cognito_identity_pool.main.id
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {
    authenticated   = aws_iam_role.authenticated.arn
    unauthenticated = module.guest.role_arn
  }
}
