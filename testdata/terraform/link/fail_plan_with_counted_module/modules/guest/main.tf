variable "identity_pool_id" {
  type        = string
  description = "ID of the identity pool whose guests assume the role"
}

# The guest role admits only `authenticated` identities.
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
          "cognito-identity.amazonaws.com:aud" = var.identity_pool_id
        }
        "ForAnyValue:StringLike" = {
          "cognito-identity.amazonaws.com:amr" = "authenticated" # expect: CT109 related=main.tf:53 related=plan.json:99
        }
      }
    }]
  })
}

output "role_arn" {
  value = aws_iam_role.guest.arn
}
