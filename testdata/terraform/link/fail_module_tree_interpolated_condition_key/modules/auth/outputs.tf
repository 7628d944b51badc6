output "authenticated_role_arn" {
  value = aws_iam_role.authenticated.arn
}

output "guest_role_arn" {
  value = aws_iam_role.guest.arn
}
