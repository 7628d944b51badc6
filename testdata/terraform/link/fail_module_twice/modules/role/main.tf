variable "identity_pool_id" {
  type = string
}

variable "role_name" {
  type = string
}

resource "aws_iam_role" "this" {
  name = var.role_name
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
        StringLike = { # expect: CT111 related=main.tf:31 related=main.tf:38
          "cognito-identity.amazonaws.com:amr" = "authenticated"
        }
      }
    }]
  })
}

output "arn" {
  value = aws_iam_role.this.arn
}
