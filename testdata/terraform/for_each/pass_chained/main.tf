# `for_each` over another resource: one identity pool per app client, and one role per pool,
# each `each.value` the instance of the resource iterated under the same key.

resource "aws_cognito_user_pool" "users" {
  name = "photos-users"
}

resource "aws_cognito_user_pool_client" "app" {
  for_each     = toset(["web", "admin"])
  name         = each.key
  user_pool_id = aws_cognito_user_pool.users.id
}

resource "aws_cognito_identity_pool" "this" {
  for_each                         = aws_cognito_user_pool_client.app
  identity_pool_name               = "photos-${each.key}"
  allow_unauthenticated_identities = false

  cognito_identity_providers {
    client_id     = each.value.id
    provider_name = aws_cognito_user_pool.users.endpoint
  }
}

resource "aws_iam_role" "this" {
  for_each = aws_cognito_identity_pool.this
  name     = "photos-${each.key}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "cognito-identity.amazonaws.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals             = { "cognito-identity.amazonaws.com:aud" = each.value.id }
        "ForAnyValue:StringLike" = { "cognito-identity.amazonaws.com:amr" = "authenticated" }
      }
    }]
  })
}

resource "aws_cognito_identity_pool_roles_attachment" "this" {
  for_each         = aws_cognito_identity_pool.this
  identity_pool_id = each.value.id
  roles = {
    authenticated = aws_iam_role.this[each.key].arn
  }
}
