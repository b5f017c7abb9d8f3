"""Apache TinkerPop Gremlin / Amazon Neptune backend over gremlinpython (extra ``gremlin``)."""
