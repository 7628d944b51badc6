# Sources and their plan, as in `fail_plan_with_sources`, with the guest module called with
# `count = var.guest ? 1 : 0`: the plan names its resources `module.guest[0].…`, the sources
# one instance without a key. Each finding is still reported once, on these sources, with
# the plan's resource as a related place.

variable "guest" {
  type    = bool
  default = true
}

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = true

  tags = {
    team = "photos"
  }
}

# The authenticated role checks aud only, and the pool allows guests.
data "aws_iam_policy_document" "authenticated_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = ["cognito-identity.amazonaws.com"]
    }

    condition { # expect: CT110 related=13 related=52 related=plan.json:63
      test     = "StringEquals"
      variable = "cognito-identity.amazonaws.com:aud"
      values   = [aws_cognito_identity_pool.main.id]
    }
  }
}

resource "aws_iam_role" "authenticated" {
  name               = "photos-authenticated"
  assume_role_policy = data.aws_iam_policy_document.authenticated_trust.json
}

module "guest" {
  count            = var.guest ? 1 : 0
  source           = "./modules/guest"
  identity_pool_id = aws_cognito_identity_pool.main.id
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {
    authenticated   = aws_iam_role.authenticated.arn
    unauthenticated = module.guest[0].role_arn
  }
}
