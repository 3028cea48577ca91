variable "region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "eu-west-1"
}

variable "name" {
  description = "Name of the function, its role, its log group and its API."
  type        = string
  default     = "archbench-get-profile"
}

variable "zip_path" {
  description = "The function package (bootstrap, the binary, its libraries, app.db); empty: build/lambda/function.zip from `make lambda-zip`."
  type        = string
  default     = ""
}

variable "memory_mb" {
  description = "Memory size of the function (MB); Lambda gives CPU in proportion."
  type        = number
  default     = 128
}

variable "timeout_s" {
  description = "Per-invocation timeout (s), as bin/faas --timeout-ms 3000."
  type        = number
  default     = 3
}

variable "log_retention_days" {
  description = "How long CloudWatch keeps the function's logs (its REPORT lines)."
  type        = number
  default     = 7
}
