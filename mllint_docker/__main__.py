from mllint_docker.cli import command

command()
