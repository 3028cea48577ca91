set terminal svg size 760,420 dynamic enhanced font 'sans,12' background '#ffffff'
set datafile missing '?'
set grid
set key top right
set style line 1 lc rgb '#1f77b4' lw 2 pt 7
set style line 2 lc rgb '#d62728' lw 2 pt 5
set style line 3 lc rgb '#2ca02c' lw 2 pt 9
set output 'latency.en.svg'
set title 'Latency percentiles at equal load'
set ytics ("0.1" 0.1, "1" 1, "10" 10, "100" 100)
set xlabel 'percentile'
set ylabel 'latency (ms)'
set logscale y
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set key top left
plot 'latency.dat' using 2:xtic(1) lc rgb '#1f77b4' title 'Monolith', '' using 3 lc rgb '#d62728' title 'Microservices', '' using 4 lc rgb '#2ca02c' title 'Serverless (FaaS)'
