"""The s3 backend: keyvalue on S3 (or any S3-compatible store) through boto3."""
