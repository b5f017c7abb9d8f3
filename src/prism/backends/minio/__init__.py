"""The minio backend: keyvalue on MinIO (or any S3-compatible store) through the minio SDK."""
