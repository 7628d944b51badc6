# Each `for_each` instance, of a map of objects or of a set of strings, trusts the pool that
# hands it out, for the identities it is given to.

variable "pools" {
  type    = set(string)
  default = ["photos"]
}

locals {
  roles = {
    auth  = { amr = "authenticated" }
    guest = { amr = "unauthenticated" }
  }
}

resource "aws_cognito_identity_pool" "main" {
  identity_pool_name               = "photos"
  allow_unauthenticated_identities = true
}

resource "aws_iam_role" "this" {
  for_each = local.roles
  name     = "photos-${each.key}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "cognito-identity.amazonaws.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals             = { "cognito-identity.amazonaws.com:aud" = aws_cognito_identity_pool.main.id }
        "ForAnyValue:StringLike" = { "cognito-identity.amazonaws.com:amr" = each.value["amr"] }
      }
    }]
  })
}

resource "aws_iam_role" "by_amr" {
  for_each = toset(["authenticated", "unauthenticated"])
  name     = "photos-${each.key}-2"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "cognito-identity.amazonaws.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals             = { "cognito-identity.amazonaws.com:aud" = aws_cognito_identity_pool.other.id }
        "ForAnyValue:StringLike" = { "cognito-identity.amazonaws.com:amr" = each.value }
      }
    }]
  })
}

resource "aws_cognito_identity_pool_roles_attachment" "main" {
  identity_pool_id = aws_cognito_identity_pool.main.id
  roles = {
    authenticated   = aws_iam_role.this["auth"].arn
    unauthenticated = aws_iam_role.this["guest"].arn
  }
}

resource "aws_cognito_identity_pool" "other" {
  identity_pool_name               = "photos-other"
  allow_unauthenticated_identities = true
}

resource "aws_cognito_identity_pool_roles_attachment" "other" {
  identity_pool_id = aws_cognito_identity_pool.other.id
  roles = {
    authenticated   = aws_iam_role.by_amr["authenticated"].arn
    unauthenticated = aws_iam_role.by_amr["unauthenticated"].arn
  }
}
