"""The web portal: server-rendered pages for citizens, a client of the four services' HTTP APIs."""
