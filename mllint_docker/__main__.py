from mllint_docker.cli import main

main()
