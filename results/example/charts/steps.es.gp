set terminal svg size 760,420 dynamic enhanced font 'sans,12' background '#ffffff'
set datafile missing '?'
set grid
set key top right
set style line 1 lc rgb '#1f77b4' lw 2 pt 7
set style line 2 lc rgb '#d62728' lw 2 pt 5
set style line 3 lc rgb '#2ca02c' lw 2 pt 9
set decimalsign ','
set output 'steps.es.svg'
set title 'Dónde se va el tiempo de una petición (1 conexión, medianas)'
set ylabel 'ms'
set yrange [0:*]
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border -1
set boxwidth 0.6
set key outside right top
set xtics ('Monolito' 0, 'Microservicios' 1, 'Serverless (FaaS)' 2)
plot 'steps.dat' using 2 lc rgb '#1f77b4' title 'auth', '' using 3 lc rgb '#ff7f0e' title 'db', '' using 4 lc rgb '#2ca02c' title 'render', '' using 5 lc rgb '#d62728' title 'salto a auth-service', '' using 6 lc rgb '#9467bd' title 'salto a profile-service', '' using 7 lc rgb '#8c564b' title 'cola', '' using 8 lc rgb '#e377c2' title 'entrega', '' using 9 lc rgb '#bcbd22' title 'init', '' using 10 lc rgb '#7f7f7f' title 'otro trabajo del servidor', '' using 11 lc rgb '#17becf' title 'resto'
