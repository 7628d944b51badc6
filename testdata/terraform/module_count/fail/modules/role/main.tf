variable "name" {
  type = string
}

variable "pool_id" {
  type = string
}

variable "amr" {
  type = string
}

resource "aws_iam_role" "this" {
  name = var.name
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "cognito-identity.amazonaws.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals             = { "cognito-identity.amazonaws.com:aud" = var.pool_id }
        "ForAnyValue:StringLike" = { "cognito-identity.amazonaws.com:amr" = var.amr } # expect: CT109 related=main.tf:24, CT109 related=main.tf:25
      }
    }]
  })
}

output "arn" {
  value = aws_iam_role.this.arn
}
