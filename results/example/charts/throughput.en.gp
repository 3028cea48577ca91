set terminal svg size 760,420 dynamic enhanced font 'sans,12' background '#ffffff'
set datafile missing '?'
set grid
set key top right
set style line 1 lc rgb '#1f77b4' lw 2 pt 7
set style line 2 lc rgb '#d62728' lw 2 pt 5
set style line 3 lc rgb '#2ca02c' lw 2 pt 9
set output 'throughput.en.svg'
set title 'Throughput by number of connections'
set xtics ("64" 64, "256" 256)
set ytics ("0" 0, "5,000" 5000, "10,000" 10000, "15,000" 15000, "20,000" 20000, "25,000" 25000, "30,000" 30000, "35,000" 35000)
set yrange [0:36089.8]
set xlabel 'connections'
set ylabel 'verified requests/s'
set logscale x 2
set xrange [42.6667:384]
plot 'throughput.dat' using 1:2 with linespoints ls 1 title 'Monolith', '' using 1:3 with linespoints ls 2 title 'Microservices', '' using 1:4 with linespoints ls 3 title 'Serverless (FaaS)'
