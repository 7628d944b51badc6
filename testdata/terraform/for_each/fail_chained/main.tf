# `for_each` over another resource, as in pass_chained, but each role iterates the app clients
# and binds its aud to the client's ID, which is never an identity pool ID.

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
  for_each = aws_cognito_user_pool_client.app
  name     = "photos-${each.key}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "cognito-identity.amazonaws.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals             = { "cognito-identity.amazonaws.com:aud" = each.value.id } # expect: CT107 related=46, CT107 related=46
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
