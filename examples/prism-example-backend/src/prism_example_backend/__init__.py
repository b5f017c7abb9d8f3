"""An example third-party prism backend: keyvalue over a process-local dict."""
