variable "identity_pool_id" {
  type        = string
  description = "ID of the identity pool whose users may assume the roles"
}

variable "name_prefix" {
  type    = string
  default = "app"
}
