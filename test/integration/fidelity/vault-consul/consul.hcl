datacenter = "swarm"
data_dir = "/consul/data"
ui_config { enabled = true }
