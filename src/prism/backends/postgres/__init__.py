"""The PostgreSQL backend (psycopg 3, native sync and asyncio); see ``docs/backends/postgres.md``."""
