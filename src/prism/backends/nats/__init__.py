"""The nats backend: NATS core pub/sub and JetStream (streams, consumers, key-value buckets)."""
