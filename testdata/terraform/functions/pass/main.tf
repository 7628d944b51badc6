# Functions whose arguments resolve: `lookup`, `try`, `coalesce`, `concat`, and members of a
# local map (`local.pools["main"]`, `local.roles.guest`) are followed to the pool and the role.

locals {
  pools = {
    main    = aws_cognito_identity_pool.main.id
    staging = aws_cognito_identity_pool.staging.id
  }
  roles = {
    guest = try(aws_iam_role.guest.arn, "")
  }
  custom_guest_role = ""
}


resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = true
}

resource "aws_cognito_identity_pool" "staging" {
  identity_pool_name               = "photos-staging"
  allow_unauthenticated_identities = true
}

resource "aws_iam_role" "guest" {
  name = "photos-guest"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "cognito-identity.amazonaws.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "cognito-identity.amazonaws.com:aud" = lookup(local.pools, "main", "")
        }
        "ForAnyValue:StringLike" = {
          "cognito-identity.amazonaws.com:amr" = concat(["unauthenticated"], [])
        }
      }
    }]
  })
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = local.pools["main"]
  roles = {
    unauthenticated = coalesce(local.custom_guest_role, local.roles.guest)
  }
}
