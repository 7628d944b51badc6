variable "pool_id" {}

resource "aws_iam_role" "guest" {
  name = "photos-guest"
  assume_role_policy = templatefile("${path.module}/guest.json", {
    pool_id = var.pool_id
  })
}

output "guest_arn" {
  value = aws_iam_role.guest.arn
}
